require "comparator-i;ascii-numeric";
if header :comparator "i;ascii-numeric" :matches "x-priority" "1*" { keep; }
