require "envelope";
if envelope "from" 1 { keep; }
