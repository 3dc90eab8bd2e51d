require "date";
if currentdate :zone "-1200" "hour" "1" { keep; }
