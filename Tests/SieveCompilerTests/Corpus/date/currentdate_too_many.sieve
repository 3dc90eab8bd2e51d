require "date";
if currentdate "date" "year" "2024" { keep; }
