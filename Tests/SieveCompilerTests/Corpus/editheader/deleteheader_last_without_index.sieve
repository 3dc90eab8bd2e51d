require "editheader";
deleteheader :last "X-Spam-Status";
