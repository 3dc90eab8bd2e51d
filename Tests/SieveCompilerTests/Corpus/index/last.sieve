require "index";
if header :index 1 :last "received" "x" { keep; }
