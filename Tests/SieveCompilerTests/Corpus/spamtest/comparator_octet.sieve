require "spamtest";
if spamtest :comparator "i;octet" :is "1" { keep; }
