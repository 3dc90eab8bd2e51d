require "reject";
reject text:
..this line starts with a dot
.
;
