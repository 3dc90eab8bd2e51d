require "include";
include ["lib_a", "lib_b"];
