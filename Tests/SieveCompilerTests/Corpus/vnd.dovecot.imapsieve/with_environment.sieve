require ["vnd.dovecot.imapsieve", "environment", "variables"];
if environment :matches "vnd.dovecot.mailbox-from" "*" { set "from" "${1}"; }
