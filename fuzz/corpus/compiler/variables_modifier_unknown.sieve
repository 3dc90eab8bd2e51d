require "variables";
set :reverse "a" "b";
