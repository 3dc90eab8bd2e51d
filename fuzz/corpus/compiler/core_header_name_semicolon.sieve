if header :is "x;y" "a" { keep; }
