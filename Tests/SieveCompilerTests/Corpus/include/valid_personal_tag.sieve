require "include";
include :personal "lib_a";
