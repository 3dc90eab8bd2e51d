require "variables";
set "a" "${100}";
