require "vnd.dovecot.report";
report "" "msg" "abuse@example.com";
