if header :comparator "i;frob" "subject" "a" { keep; }
