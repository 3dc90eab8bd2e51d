if header 1 2 { keep; }
