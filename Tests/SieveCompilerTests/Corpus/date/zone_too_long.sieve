require "date";
if currentdate :zone "+01000" "hour" "1" { keep; }
