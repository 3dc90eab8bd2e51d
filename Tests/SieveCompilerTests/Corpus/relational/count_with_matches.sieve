require "relational";
if header :count "ge" :matches "x" "1" { keep; }
