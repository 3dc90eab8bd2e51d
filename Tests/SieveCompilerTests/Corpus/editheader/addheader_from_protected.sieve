require "editheader";
addheader "From" "evil@example.com";
