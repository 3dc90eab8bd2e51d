require "variables";
set "d" "example.com";
redirect "a@${d}";
