if header :is "subject" [text:
hello
.
, "x"] { keep; }
