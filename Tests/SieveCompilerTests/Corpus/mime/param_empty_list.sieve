require "mime";
if header :mime :param [] "content-type" "x" { keep; }
