require "vnd.dovecot.report";
report :headers_only "abuse" "This is spam." "abuse@example.com";
