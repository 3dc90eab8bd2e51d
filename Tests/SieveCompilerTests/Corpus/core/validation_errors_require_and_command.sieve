require "frob";
keep "x";
