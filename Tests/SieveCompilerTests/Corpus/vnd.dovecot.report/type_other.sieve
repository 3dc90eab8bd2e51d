require "vnd.dovecot.report";
report "other" "msg" "abuse@example.com";
