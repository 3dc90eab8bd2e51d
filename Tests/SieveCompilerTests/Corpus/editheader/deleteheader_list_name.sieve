require "editheader";
deleteheader ["X-A", "X-B"];
