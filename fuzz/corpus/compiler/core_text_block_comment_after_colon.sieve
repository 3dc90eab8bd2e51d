require "reject";
reject text: # a comment
hello
.
;
