require "reject";
reject text:
a
b
.
;
keep "x";
