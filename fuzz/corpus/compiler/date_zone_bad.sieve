require "date";
if date :zone "CET" "date" "hour" "12" { keep; }
