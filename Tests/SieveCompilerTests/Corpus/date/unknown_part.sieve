require "date";
if currentdate :is "fortnight" "1" { keep; }
