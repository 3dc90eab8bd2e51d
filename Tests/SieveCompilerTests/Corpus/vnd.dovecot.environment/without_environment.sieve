require "vnd.dovecot.environment";
keep;
