require "vnd.dovecot.report";
report "abuse" "This is spam." "abuse@example.com";
