if size :over "100" { keep; }
