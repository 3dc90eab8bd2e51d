if true { keep; }
