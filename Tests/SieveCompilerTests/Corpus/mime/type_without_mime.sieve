require "mime";
if header :type "content-type" "text" { keep; }
