require "body";
if body :raw :contains "viagra" { discard; }
