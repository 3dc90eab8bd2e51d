require "relational";
if header :value 5 "x" "5" { keep; }
