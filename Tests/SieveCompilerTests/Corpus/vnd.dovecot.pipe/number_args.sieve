require "vnd.dovecot.pipe";
pipe "x" 1;
