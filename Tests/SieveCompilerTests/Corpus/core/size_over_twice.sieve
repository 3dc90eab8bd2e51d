if size :over 1 :over 2 { keep; }
