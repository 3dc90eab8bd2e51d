require "ihave";
if ihave "comparator-i;ascii-numeric" { frobnicate; }
