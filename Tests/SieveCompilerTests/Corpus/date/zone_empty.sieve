require "date";
if currentdate :zone "" "hour" "1" { keep; }
