require "date";
if currentdate :zone "+2500" "hour" "1" { keep; }
