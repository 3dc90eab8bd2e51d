require "body";
if body :contains text:
hello
.
{ keep; }
