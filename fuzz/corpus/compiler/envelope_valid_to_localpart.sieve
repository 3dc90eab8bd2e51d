require "envelope";
if envelope :localpart :is "to" "postmaster" { keep; }
