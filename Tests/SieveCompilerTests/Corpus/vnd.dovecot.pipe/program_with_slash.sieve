require "vnd.dovecot.pipe";
pipe "bin/sh";
