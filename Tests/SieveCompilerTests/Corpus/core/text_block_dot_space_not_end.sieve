require "reject";
reject text:
hello
. 
still inside
.
;
