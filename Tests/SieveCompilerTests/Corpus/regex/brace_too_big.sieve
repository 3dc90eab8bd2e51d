require "regex";
if header :regex "subject" "a{1,99999}" { keep; }
