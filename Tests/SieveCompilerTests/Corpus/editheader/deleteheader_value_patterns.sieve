require "editheader";
deleteheader :matches "X-Spam-Status" ["Yes*", "*score=1?*"];
