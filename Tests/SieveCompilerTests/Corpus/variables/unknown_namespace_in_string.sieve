require "variables";
set "a" "${foo.bar}";
