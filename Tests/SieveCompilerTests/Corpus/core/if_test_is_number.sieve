if 1 { keep; }
