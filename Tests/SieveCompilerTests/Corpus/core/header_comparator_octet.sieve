if header :comparator "i;octet" :is "subject" "A" { keep; }
