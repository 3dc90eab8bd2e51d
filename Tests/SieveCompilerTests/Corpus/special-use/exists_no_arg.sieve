require "special-use";
if specialuse_exists { keep; }
