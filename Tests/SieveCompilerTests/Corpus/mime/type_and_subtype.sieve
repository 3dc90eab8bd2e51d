require "mime";
if header :mime :type :subtype "content-type" "text" { keep; }
