require "date";
if currentdate :zone "+100" "hour" "1" { keep; }
