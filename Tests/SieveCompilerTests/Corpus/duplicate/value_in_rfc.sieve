require "duplicate";
if duplicate :value "y" { discard; }
