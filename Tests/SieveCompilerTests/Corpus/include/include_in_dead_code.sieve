require "include";
if false { include "nonexistent"; }
