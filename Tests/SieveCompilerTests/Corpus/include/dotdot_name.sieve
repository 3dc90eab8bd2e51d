require "include";
include "..";
