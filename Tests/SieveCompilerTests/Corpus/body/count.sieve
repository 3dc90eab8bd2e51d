require ["body", "relational"];
if body :count "eq" "1" { keep; }
