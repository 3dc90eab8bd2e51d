require "editheader";
addheader "Auto-Submitted" "no";
