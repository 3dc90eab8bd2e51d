require "editheader";
addheader "X.A" "v";
