if header :CONTAINS :Comparator "i;octet" "subject" "A" { keep; }
