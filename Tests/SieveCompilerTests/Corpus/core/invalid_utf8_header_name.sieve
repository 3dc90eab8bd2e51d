if header :is "x-café" "a" { keep; }
