require ["environment", "relational"];
if environment :count "eq" "domain" "1" { keep; }
