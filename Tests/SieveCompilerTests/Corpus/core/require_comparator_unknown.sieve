require "comparator-i;unicode-casemap";
keep;
