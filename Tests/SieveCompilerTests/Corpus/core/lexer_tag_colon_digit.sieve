if header :2is "a" "b" { keep; }
