if header : "a" "b" { keep; }
