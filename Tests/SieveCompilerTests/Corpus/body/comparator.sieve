require "body";
if body :comparator "i;octet" :contains "X" { keep; }
