require ["include", "variables"];
global "tag";
set "tag" "main";
include :personal "sub";
include :once :personal "sub";
include :global "common";
