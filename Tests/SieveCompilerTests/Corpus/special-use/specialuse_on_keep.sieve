require "special-use";
keep :specialuse "\\Junk";
