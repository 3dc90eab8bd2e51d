if header :is "x\ty" "a" { keep; }
