require "include";
include "circular_2";
