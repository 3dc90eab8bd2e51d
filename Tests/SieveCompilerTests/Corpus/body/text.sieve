require "body";
if body :text :contains "viagra" { discard; }
