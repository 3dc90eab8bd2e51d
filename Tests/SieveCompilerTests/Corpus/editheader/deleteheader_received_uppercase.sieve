require "editheader";
deleteheader "RECEIVED";
