require "body";
if body :content "text/plain; charset=utf-8" :contains "x" { keep; }
