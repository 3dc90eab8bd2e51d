require "editheader";
deleteheader "Content-Type";
