require "duplicate";
if duplicate :uniqueid "abc" { discard; }
