require "envelope";
if envelope "orcpt" "x" { keep; }
