if address :matches :comparator "i;octet" :localpart "from" "J*" { keep; }
