if header :comparator "I;OCTET" :is "subject" "A" { keep; }
