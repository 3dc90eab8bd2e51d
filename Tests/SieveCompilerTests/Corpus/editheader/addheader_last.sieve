require "editheader";
addheader :last "X-Filtered" "yes";
