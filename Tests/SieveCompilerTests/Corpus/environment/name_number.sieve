require "environment";
if environment 1 "x" { keep; }
