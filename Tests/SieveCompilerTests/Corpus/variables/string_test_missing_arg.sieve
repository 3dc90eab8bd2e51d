require "variables";
if string "a" { keep; }
