require "vnd.dovecot.pipe";
pipe :copy "x";
