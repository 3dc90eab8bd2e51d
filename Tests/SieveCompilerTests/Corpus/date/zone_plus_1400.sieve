require "date";
if currentdate :zone "+1400" "hour" "1" { keep; }
