require "index";
if header :last "received" "x" { keep; }
