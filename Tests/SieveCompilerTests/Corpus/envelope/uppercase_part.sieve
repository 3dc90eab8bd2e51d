require "envelope";
if envelope :is "FROM" "a" { keep; }
