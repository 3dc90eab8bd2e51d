require "date";
if date :is "received" "fortnight" "1" { keep; }
