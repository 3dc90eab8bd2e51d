if address :all :contains :comparator "i;octet" "to" "@" { keep; }
