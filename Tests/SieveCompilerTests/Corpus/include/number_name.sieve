require "include";
include 1;
