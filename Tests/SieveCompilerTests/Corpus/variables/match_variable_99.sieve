require "variables";
set "a" "${99}";
