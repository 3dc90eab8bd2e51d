require "variables";
set :lower "a" "ABC";
