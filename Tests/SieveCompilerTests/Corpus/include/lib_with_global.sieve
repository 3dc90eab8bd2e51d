require ["include", "variables"];
global "x";
set "x" "y";
