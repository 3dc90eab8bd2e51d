require "date";
if currentdate :is "weekday" "0" { keep; }
