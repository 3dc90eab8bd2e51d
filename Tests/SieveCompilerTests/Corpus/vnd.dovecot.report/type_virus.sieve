require "vnd.dovecot.report";
report "virus" "msg" "abuse@example.com";
