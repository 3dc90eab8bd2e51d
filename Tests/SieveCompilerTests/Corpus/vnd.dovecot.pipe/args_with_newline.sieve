require "vnd.dovecot.pipe";
pipe "x" ["a
b"];
