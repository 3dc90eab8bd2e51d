require "body";
if body :content "text/plain" :contains "viagra" { discard; }
