require "relational";
if header :value "gte" "x" "5" { keep; }
