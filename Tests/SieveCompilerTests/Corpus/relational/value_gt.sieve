require "relational";
if header :value "gt" "x-spam-score" "5" { keep; }
