require "regex";
if false { if header :regex "subject" "(" { keep; } }
