require "relational";
if header :value "GT" "x" "5" { keep; }
