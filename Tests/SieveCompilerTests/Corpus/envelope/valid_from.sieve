require "envelope";
if envelope :is "from" "a@example.com" { keep; }
