if size :comparator "i;octet" :over 1 { keep; }
