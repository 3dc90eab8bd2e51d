require "envelope";
if envelope :is "" "a" { keep; }
