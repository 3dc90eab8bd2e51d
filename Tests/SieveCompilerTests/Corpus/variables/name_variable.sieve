require "variables";
set "n" "x";
set "${n}" "y";
