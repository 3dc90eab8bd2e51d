require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :count "eq" :comparator "i;ascii-numeric" "x-multi" "3" { fileinto "three"; }
if header :count "eq" :comparator "i;ascii-numeric" "received" "0" { fileinto "noreceived"; }
