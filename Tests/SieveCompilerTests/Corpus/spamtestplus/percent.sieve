require ["spamtestplus", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "gt" :comparator "i;ascii-numeric" :percent "80" { discard; }
