require "vnd.dovecot.pipe";
pipe :try "sa-learn";
