require "include";
include "sub/lib_a";
