require "index";
if header :index 2 "received" "x" { keep; }
