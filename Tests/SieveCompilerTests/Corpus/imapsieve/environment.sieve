require ["imapsieve", "environment"];
if environment :is "imap.cause" "COPY" { keep; }
