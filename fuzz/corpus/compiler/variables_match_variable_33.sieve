require "variables";
set "a" "${33}";
