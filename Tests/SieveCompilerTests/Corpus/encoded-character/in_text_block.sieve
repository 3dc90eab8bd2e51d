require ["encoded-character", "reject"];
reject text:
Hello ${unicode:263A}
.
;
