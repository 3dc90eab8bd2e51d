if header :is "x_y" "a" { keep; }
