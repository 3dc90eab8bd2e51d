require "date";
if currentdate :zone "Z" "hour" "1" { keep; }
