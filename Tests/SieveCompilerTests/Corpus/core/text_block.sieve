require "reject";
reject text:
Sorry, I'm away.
.
;
