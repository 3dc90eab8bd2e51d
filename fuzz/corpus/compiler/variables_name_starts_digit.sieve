require "variables";
set "1a" "c";
