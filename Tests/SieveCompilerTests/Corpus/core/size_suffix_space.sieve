if size :over 10 K { keep; }
