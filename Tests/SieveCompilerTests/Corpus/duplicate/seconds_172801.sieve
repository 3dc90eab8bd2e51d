require "duplicate";
if duplicate :seconds 172801 { discard; }
