require "regex";
if header :regex "subject" "^\\[list\\] .*$" { keep; }
