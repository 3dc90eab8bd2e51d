require ["environment", "vnd.dovecot.environment"];
if environment "vnd.dovecot.default-mailbox" "INBOX" { keep; }
