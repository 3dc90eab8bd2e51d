require "comparator-I;ASCII-NUMERIC";
keep;
