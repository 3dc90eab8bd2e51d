require "mime";
if exists :mime :anychild "content-type" { keep; }
