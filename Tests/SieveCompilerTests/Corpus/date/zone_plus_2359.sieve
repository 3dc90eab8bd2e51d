require "date";
if currentdate :zone "+2359" "hour" "1" { keep; }
