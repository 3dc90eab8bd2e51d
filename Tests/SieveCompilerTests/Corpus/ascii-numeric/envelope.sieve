require ["comparator-i;ascii-numeric", "envelope"];
if envelope :comparator "i;ascii-numeric" :is "to" "1" { keep; }
