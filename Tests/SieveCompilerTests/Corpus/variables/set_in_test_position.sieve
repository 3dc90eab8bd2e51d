require "variables";
if set "a" "b" { keep; }
