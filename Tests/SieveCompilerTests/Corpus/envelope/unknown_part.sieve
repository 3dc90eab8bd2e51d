require "envelope";
if envelope :is "reply-to" "a" { keep; }
