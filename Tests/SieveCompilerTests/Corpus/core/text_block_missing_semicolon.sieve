require "reject";
reject text:
hello
.
keep;
