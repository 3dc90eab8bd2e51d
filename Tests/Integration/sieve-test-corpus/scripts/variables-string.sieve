require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric"];
set "x" "10";
if string :value "gt" :comparator "i;ascii-numeric" "${x}" "9" { fileinto "gt"; }
if string :count "eq" :comparator "i;ascii-numeric" ["a", "", "b"] "2" { fileinto "two"; }
