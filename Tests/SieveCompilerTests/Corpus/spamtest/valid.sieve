require "spamtest";
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "Junk"; }
