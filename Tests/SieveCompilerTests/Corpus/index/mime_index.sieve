require ["index", "mime"];
if header :mime :index 1 "content-type" "x" { keep; }
