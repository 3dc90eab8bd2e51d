require "include";
include "lib_a" :once;
