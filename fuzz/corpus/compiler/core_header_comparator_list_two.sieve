if header :comparator ["i;octet", "i;ascii-casemap"] "subject" "a" { keep; }
