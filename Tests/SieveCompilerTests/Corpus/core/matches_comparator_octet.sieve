if header :matches :comparator "i;octet" "subject" "A*" { keep; }
