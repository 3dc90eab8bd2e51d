require "body";
if body :content "text" :content "image" :contains "x" { keep; }
