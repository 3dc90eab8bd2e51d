require "variables";
set "a" "${32}";
