require "mime";
if header :mime :param "content-type" "utf-8" { keep; }
