require "comparator-i;ascii-numeric";
if size :comparator "i;ascii-numeric" :over 1 { keep; }
