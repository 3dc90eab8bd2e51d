require "relational";
if exists :count "eq" "x" { keep; }
