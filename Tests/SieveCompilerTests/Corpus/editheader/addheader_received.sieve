require "editheader";
addheader "Received" "from nowhere";
