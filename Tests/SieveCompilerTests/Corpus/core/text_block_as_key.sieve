if header :is "subject" text:
hello
.
{ keep; }
