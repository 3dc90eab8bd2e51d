require "reject";
reject TEXT:
hi
.
;
