require "relational";
if header :value "gt " "x" "5" { keep; }
