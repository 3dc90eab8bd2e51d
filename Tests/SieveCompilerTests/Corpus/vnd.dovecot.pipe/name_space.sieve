require "vnd.dovecot.pipe";
pipe "a b";
