require "date";
if currentdate :zone "+ab00" "hour" "1" { keep; }
