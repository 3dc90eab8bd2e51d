if header :count "ge" "received" "3" { keep; }
