require "body";
if body :count "eq" "1" { keep; }
