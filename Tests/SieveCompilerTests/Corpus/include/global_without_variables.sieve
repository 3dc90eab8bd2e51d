require "include";
global "foo";
