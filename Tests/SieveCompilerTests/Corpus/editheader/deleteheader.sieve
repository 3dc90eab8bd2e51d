require "editheader";
deleteheader "X-Spam-Status";
