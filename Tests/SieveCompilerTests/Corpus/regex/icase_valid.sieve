require "regex";
if header :regex :comparator "i;ascii-casemap" "subject" "^[A-Z]+$" { keep; }
