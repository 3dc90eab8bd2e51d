require "vnd.dovecot.pipe";
pipe "sa-learn";
