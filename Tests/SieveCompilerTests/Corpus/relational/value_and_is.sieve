require "relational";
if header :value "gt" :is "x" "5" { keep; }
