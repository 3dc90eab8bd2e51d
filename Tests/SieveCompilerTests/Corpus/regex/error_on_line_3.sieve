require "regex";
keep;
if header :regex "subject" "a)" { keep; }
