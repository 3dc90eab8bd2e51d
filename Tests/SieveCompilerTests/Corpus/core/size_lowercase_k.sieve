if size :over 10k { keep; }
