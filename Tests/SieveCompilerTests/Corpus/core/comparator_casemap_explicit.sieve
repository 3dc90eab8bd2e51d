if header :comparator "i;ascii-casemap" :is "subject" "A" { keep; }
