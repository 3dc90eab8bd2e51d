require "variables";
set "msg" text:
hello
.
;
