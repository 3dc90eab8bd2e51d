require "editheader";
addheader "X-Name" "Jörg";
