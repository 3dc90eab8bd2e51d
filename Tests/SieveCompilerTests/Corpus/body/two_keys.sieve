require "body";
if body "a" "b" { keep; }
