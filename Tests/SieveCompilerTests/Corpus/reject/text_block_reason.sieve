require "reject";
reject text:
Your message was rejected.
..
.
;
