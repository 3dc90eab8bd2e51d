require "editheader";
deleteheader "Auto-Submitted";
