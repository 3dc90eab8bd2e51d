require "reject";
reject 1 text:
a
.
;
