require "editheader";
addheader "X-Cafÿ" "v";
