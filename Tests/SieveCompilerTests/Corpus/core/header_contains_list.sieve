if header :contains ["subject", "from"] ["a", "b"] { keep; }
