# corpus-extensions: default
require "editheader";
addheader "X-Filtered" "yes";
