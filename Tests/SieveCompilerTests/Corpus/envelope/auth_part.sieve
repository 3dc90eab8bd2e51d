require "envelope";
if envelope :is "auth" "a" { keep; }
