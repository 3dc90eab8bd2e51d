require "variables";
set :upperfirst :length "a" "abc";
