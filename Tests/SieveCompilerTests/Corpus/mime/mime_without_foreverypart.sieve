require "mime";
if header :mime :anychild :subtype "content-type" "html" { keep; }
