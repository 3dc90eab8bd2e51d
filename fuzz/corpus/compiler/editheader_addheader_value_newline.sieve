require "editheader";
addheader "X-A" "line1
line2";
