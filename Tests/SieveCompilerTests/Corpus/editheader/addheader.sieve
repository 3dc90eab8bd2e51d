require "editheader";
addheader "X-Filtered" "yes";
