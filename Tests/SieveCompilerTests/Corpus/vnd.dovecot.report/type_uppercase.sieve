require "vnd.dovecot.report";
report "ABUSE" "msg" "abuse@example.com";
