require "vnd.dovecot.imapsieve";
keep;
