require "special-use";
if specialuse_exists "\\Junk" { keep; }
