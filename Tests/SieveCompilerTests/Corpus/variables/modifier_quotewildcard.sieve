require "variables";
set :quotewildcard "a" "*?\\";
