if header :comparator " i;octet" "subject" "a" { keep; }
