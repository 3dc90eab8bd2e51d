require "editheader";
deleteheader;
