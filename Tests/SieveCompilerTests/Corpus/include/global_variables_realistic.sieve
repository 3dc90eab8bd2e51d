require ["include", "variables"];
global "folder";
set "folder" "Archive";
include "lib_a";
