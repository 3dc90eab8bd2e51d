require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto "spam"; } elsif header :value "lt" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto "ham"; }
