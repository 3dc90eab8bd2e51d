require "include";
include :once "lib_a";
