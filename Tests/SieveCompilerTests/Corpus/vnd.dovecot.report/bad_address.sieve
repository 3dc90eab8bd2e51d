require "vnd.dovecot.report";
report "abuse" "spam" "not an address";
