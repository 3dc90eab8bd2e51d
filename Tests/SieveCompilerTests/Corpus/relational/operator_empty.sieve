require "relational";
if header :value "" "x" "5" { keep; }
