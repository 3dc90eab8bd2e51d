require ["foreverypart", "mime"];
foreverypart { if header :mime :type "content-type" "image" { discard; } }
