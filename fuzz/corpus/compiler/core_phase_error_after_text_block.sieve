require "reject";
reject text:
line 3
line 4
.
;
keep "x";
