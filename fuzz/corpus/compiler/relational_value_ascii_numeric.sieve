require ["relational", "comparator-i;ascii-numeric"];
if address :value "lt" :comparator "i;ascii-numeric" :localpart "from" "100" { keep; }
