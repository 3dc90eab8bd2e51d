require ["include", "fileinto", "variables"];
global "count";
set "count" "0";
include :once :personal "counter";
include :once :personal "counter";
include :personal "counter";
fileinto "count-${count}";
include :optional :personal "absent";
include :global "common";
if header :contains "subject" "meeting" { return; }
fileinto "not-a-meeting";
