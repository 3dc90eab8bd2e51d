require "special-use";
if specialuse_exists "cafÿ" "\\Junk" { keep; }
