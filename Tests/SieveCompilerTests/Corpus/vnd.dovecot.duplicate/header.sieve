require "vnd.dovecot.duplicate";
if duplicate :header "message-id" { discard; }
