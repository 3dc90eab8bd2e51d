require "environment";
if environment "vnd.dovecot.default-mailbox" "INBOX" { keep; }
