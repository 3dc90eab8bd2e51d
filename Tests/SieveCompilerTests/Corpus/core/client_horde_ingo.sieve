require ["fileinto", "envelope", "variables", "comparator-i;ascii-numeric"];
# Forward
if true {
  redirect "backup@example.com";
  keep;
}
# Blacklist
if address :all :comparator "i;ascii-casemap" :is "From" ["spam@example.net", "junk@example.net"] {
  discard;
  stop;
}
