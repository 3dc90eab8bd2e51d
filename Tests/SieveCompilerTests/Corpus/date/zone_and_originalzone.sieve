require "date";
if date :zone "+0000" :originalzone "date" "hour" "12" { keep; }
