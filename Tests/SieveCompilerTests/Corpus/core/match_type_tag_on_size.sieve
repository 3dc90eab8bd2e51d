if size :is 1 { keep; }
