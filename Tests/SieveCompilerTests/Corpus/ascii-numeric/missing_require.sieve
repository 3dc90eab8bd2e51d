if header :comparator "i;ascii-numeric" :is "x-priority" "1" { keep; }
