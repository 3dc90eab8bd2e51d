require ["duplicate", "vnd.dovecot.duplicate"];
keep;
