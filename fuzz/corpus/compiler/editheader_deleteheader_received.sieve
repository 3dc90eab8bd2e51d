require "editheader";
deleteheader "Received";
