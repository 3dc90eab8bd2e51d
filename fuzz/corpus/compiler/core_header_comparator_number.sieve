if header :comparator 5 "subject" "a" { keep; }
