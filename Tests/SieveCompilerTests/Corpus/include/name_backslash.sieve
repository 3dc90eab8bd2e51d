require "include";
include "lib\\a";
