if header :is "x-é" "a" { keep; }
