if header :comparator "i;ascii-numeric" "x-n" "5" { keep; }
