require "vnd.dovecot.report";
report "abuse" "spam";
