require "mime";
if exists :mime "content-type" { keep; }
