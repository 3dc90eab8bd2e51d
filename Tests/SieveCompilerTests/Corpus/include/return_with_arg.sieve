require "include";
return "x";
