require "duplicate";
if duplicate :seconds 172800 { discard; }
