require "mime";
if header :mime :contenttype "content-type" "text/plain" { keep; }
