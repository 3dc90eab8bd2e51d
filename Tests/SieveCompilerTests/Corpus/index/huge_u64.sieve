require "index";
if header :index 18446744073709551615 "received" "x" { keep; }
