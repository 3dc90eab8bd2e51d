require ["editheader", "regex"];
deleteheader :regex "X-A" "(";
