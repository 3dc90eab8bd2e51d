require "comparator-i;ascii-numeric";
if header :comparator "I;ASCII-NUMERIC" :is "x" "1" { keep; }
