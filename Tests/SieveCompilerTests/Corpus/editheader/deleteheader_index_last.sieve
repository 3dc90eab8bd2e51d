require "editheader";
deleteheader :index 1 :last "X-Spam-Status";
