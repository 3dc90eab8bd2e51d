require "include";
include "lib_a";
include "nonexistent";
