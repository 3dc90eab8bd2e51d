require "include";
include :once :once "lib_a";
