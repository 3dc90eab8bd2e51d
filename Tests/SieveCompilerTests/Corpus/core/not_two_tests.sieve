if not true false { keep; }
