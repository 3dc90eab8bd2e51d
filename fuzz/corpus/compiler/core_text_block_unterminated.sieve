require "reject";
reject text:
hello
