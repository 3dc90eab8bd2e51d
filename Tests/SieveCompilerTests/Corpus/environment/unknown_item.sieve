require "environment";
if environment :is "frobnicate" "x" { keep; }
