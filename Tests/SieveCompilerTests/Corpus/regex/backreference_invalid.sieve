require "regex";
if header :regex "subject" "\\2(a)" { keep; }
