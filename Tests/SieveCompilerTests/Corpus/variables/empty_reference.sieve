require "variables";
set "a" "${}";
