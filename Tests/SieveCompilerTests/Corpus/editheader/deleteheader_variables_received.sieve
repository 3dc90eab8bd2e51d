require ["editheader", "variables"];
set "h" "received";
deleteheader "${h}";
