require "duplicate";
if duplicate "x" { discard; }
