require ["spamtestplus", "fileinto", "relational", "comparator-i;ascii-numeric"];
if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "90" {
    discard;
    stop;
} elsif spamtest :percent :value "ge" :comparator "i;ascii-numeric" "50" {
    fileinto "Junk";
}
