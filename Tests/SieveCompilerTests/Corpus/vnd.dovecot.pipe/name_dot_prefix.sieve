require "vnd.dovecot.pipe";
pipe ".hidden";
