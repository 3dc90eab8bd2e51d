require "variables";
set "A1_" "x";
