require "body";
if body :content "text/" :contains "x" { keep; }
