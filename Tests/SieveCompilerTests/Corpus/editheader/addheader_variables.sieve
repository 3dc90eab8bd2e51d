require ["editheader", "variables"];
set "v" "x";
addheader "X-${v}" "y";
