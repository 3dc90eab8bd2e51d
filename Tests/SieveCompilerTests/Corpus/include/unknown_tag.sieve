require "include";
include :frob "lib_a";
