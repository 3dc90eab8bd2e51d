require "date";
if date :zone "+0100" "date" "hour" "12" { keep; }
