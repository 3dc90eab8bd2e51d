require "index";
if header :index 4294967296 "received" "x" { keep; }
