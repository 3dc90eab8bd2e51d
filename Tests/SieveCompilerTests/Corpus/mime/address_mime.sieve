require "mime";
if address :mime :all "from" "a@b" { keep; }
