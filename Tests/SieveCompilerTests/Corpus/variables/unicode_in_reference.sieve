require "variables";
set "a" "${bé}";
