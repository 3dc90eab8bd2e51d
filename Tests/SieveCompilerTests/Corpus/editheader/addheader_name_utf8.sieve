require "editheader";
addheader "X-é" "v";
