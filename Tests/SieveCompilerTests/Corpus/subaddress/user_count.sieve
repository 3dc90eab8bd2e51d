require ["subaddress", "relational"];
if address :user :count "eq" "to" "1" { keep; }
