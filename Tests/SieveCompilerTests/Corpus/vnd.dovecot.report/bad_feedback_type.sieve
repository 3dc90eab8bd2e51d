require "vnd.dovecot.report";
report "frobnicate" "spam" "abuse@example.com";
