require "editheader";
addheader "X-A";
