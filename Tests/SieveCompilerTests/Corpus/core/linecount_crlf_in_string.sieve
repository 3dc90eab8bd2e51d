require "reject";
reject "a
b";
keep "x";
