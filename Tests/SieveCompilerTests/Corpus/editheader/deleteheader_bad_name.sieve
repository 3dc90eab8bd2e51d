require "editheader";
deleteheader "bad name";
