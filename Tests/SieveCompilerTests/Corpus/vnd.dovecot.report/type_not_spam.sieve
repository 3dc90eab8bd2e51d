require "vnd.dovecot.report";
report "not-spam" "msg" "abuse@example.com";
