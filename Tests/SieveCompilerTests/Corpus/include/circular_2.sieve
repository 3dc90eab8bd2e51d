require "include";
include "circular_1";
