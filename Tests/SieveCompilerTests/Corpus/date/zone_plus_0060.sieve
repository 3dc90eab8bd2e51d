require "date";
if currentdate :zone "+0060" "hour" "1" { keep; }
