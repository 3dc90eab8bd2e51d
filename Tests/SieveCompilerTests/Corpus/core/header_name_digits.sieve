if header :is "123" "a" { keep; }
