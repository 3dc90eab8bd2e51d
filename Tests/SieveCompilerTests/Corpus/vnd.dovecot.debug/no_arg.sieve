require "vnd.dovecot.debug";
debug_log;
