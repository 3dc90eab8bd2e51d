require ["variables", "reject"];
set "who" "me";
reject text:
Rejected by ${who}.
.
;
