require "envelope";
if envelope :is ["from", "to"] "a" { keep; }
