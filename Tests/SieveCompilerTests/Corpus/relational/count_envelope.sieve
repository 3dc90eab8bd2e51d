require ["relational", "envelope"];
if envelope :count "eq" "to" "1" { keep; }
