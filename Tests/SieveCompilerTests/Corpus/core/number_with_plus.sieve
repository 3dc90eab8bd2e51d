if size :over +1 { keep; }
