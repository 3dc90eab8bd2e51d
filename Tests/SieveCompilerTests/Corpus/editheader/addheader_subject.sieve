require "editheader";
addheader "Subject" "new";
