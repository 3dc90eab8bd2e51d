require "variables";
set :lower :upper :lowerfirst :upperfirst :quotewildcard :length "a" "b";
