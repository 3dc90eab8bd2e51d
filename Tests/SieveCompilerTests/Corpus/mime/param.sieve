require "mime";
if header :mime :param ["charset"] "content-type" "utf-8" { keep; }
