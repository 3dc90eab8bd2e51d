require "date";
if currentdate :zone "-0800" "hour" "12" { keep; }
