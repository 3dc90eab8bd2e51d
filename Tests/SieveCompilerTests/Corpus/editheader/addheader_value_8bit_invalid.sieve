require "editheader";
addheader "X-A" "café";
