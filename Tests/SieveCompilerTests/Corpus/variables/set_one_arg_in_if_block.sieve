require "variables";
if exists "x" { set "a"; }
