require "include";
include "";
