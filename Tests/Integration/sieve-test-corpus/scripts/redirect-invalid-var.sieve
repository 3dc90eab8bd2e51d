require "variables";
set "who" "nobody";
redirect "${who}";
