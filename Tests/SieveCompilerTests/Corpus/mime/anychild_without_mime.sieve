require "mime";
if header :anychild "content-type" "x" { keep; }
