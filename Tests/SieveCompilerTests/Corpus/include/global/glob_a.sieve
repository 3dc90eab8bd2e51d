require "include";
keep;
