require "include";
include ".";
