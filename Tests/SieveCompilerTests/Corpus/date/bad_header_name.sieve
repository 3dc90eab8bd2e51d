require "date";
if date "date:" "year" "2024" { keep; }
