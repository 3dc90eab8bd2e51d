if header :comparator "i;octet" :matches "subject" "A*" { keep; }
