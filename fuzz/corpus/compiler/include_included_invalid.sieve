require "include";
include "lib_broken";
