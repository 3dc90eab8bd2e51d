require "special-use";
if specialuse_exists "a" "b" "c" { keep; }
