require "relational";
if address :count "eq" :all "to" "1" { keep; }
