require ["include", "variables"];
global "foo";
set "foo" "bar";
