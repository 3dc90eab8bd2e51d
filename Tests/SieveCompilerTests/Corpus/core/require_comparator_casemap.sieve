require "comparator-i;ascii-casemap";
keep;
