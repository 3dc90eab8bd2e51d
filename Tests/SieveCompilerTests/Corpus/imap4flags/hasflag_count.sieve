require ["imap4flags", "relational"];
if hasflag :count "ge" "2" { keep; }
