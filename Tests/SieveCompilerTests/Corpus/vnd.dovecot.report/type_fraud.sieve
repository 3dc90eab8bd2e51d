require "vnd.dovecot.report";
report "fraud" "msg" "abuse@example.com";
