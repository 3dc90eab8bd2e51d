if header :is "subject" [text:
a
.
, text:
b
.
] { keep; }
