require "environment";
if environment "" "x" { keep; }
