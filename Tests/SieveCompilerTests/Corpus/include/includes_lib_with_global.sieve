require ["include", "variables"];
global "x";
include "lib_with_global";
