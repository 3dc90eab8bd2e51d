if address :is :localpart :comparator "i;octet" "from" "a" { keep; }
