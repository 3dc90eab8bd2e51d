require ["spamtestplus", "relational"];
if spamtest :percent :count "eq" "1" { keep; }
