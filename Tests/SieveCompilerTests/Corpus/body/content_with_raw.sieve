require "body";
if body :content "text" :raw :contains "x" { keep; }
