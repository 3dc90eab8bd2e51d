if exists :comparator "i;octet" "from" { keep; }
