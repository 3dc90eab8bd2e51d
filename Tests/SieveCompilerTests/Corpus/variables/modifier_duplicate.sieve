require "variables";
set :lower :lower "a" "b";
