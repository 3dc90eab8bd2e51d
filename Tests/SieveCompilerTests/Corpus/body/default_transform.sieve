require "body";
if body :contains "x" { keep; }
