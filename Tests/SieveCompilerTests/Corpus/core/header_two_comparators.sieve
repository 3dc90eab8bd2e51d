if header :comparator "i;octet" :comparator "i;ascii-casemap" "subject" "a" { keep; }
