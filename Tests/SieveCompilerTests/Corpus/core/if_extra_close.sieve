if true { keep; } }
