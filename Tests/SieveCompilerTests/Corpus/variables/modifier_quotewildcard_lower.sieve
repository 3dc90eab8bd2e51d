require "variables";
set :quotewildcard :lower "n" "A*";
