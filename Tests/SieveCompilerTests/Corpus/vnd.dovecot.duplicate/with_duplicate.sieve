require ["vnd.dovecot.duplicate", "duplicate"];
keep;
