require "regex";
if false { if header :regex "x" "(" { keep; } }
