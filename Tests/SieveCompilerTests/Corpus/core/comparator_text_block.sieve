if header :comparator text:
i;octet
.
"subject" "a" { keep; }
