require "date";
if currentdate ["year", "month"] "1" { keep; }
