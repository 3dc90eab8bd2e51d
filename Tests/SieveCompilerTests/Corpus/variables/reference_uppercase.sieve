require "variables";
set "ABC" "x";
set "d" "${abc}";
