require ["vnd.dovecot.pipe", "copy"];
pipe :copy "sa-learn";
