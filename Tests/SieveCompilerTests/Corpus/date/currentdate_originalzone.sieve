require "date";
if currentdate :originalzone "hour" "12" { keep; }
