require "envelope";
if envelope "from" { keep; }
