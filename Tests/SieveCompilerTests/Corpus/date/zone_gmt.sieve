require "date";
if currentdate :zone "GMT" "hour" "1" { keep; }
