require "body";
if body :contains { keep; }
