require "editheader";
addheader "X_A" "v";
