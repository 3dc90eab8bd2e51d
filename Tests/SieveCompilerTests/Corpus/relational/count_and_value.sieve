require "relational";
if header :count "gt" :value "gt" "x" "5" { keep; }
