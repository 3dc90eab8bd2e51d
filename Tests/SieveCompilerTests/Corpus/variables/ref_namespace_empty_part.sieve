require "variables";
set "a" "${.b}";
