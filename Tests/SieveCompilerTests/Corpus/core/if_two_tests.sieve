if true false { keep; }
