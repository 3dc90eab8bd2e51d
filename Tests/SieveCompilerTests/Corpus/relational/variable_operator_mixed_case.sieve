require "relational";
if header :value "Eq" "x" "1" { keep; }
