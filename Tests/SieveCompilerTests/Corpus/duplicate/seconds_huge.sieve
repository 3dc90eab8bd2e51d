require "duplicate";
if duplicate :seconds 99999999999 { discard; }
