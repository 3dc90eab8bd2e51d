require ["foreverypart", "mime"];
foreverypart :name "outer" { foreverypart :name "inner" { break :name "outer"; } }
