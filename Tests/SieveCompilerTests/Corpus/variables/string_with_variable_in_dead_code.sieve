require "variables";
if false { set "a-b" "x"; }
