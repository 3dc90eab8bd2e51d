require "date";
if date :originalzone "date" "hour" "12" { keep; }
