require "index";
if header :last :index 2 "received" "x" { keep; }
