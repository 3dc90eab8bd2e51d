require ["editheader", "index"];
deleteheader :index 0 "X-A";
