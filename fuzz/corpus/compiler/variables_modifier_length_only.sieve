require "variables";
set :length "n" "abc";
