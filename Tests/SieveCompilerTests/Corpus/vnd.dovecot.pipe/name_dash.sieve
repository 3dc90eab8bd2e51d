require "vnd.dovecot.pipe";
pipe "-x";
