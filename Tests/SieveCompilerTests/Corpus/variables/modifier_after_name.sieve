require "variables";
set "a" :lower "b";
