require "date";
if currentdate :is "YEAR" "2024" { keep; }
