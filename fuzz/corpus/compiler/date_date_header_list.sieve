require "date";
if date ["date", "received"] "year" "2024" { keep; }
