require "reject";
reject text: /* no */
hello
.
;
