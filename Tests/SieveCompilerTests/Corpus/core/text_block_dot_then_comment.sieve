require "reject";
reject text:
hi
.
# comment
;
