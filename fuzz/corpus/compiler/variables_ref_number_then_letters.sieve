require "variables";
set "a" "${0a}";
