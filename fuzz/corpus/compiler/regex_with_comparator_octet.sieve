require "regex";
if header :regex :comparator "i;octet" "subject" "^A" { keep; }
