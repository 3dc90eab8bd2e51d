require ["environment", "imapsieve"];
if environment "imap.cause" "APPEND" { keep; }
