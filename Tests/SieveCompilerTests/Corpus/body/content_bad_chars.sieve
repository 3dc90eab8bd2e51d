require "body";
if body :content "te xt" :contains "x" { keep; }
