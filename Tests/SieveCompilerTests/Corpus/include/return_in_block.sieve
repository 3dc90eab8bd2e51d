require "include";
if true { return; }
