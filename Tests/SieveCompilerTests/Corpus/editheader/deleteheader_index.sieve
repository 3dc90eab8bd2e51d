require "editheader";
deleteheader :index 1 "X-Spam-Status";
