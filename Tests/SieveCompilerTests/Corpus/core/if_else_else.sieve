if true { keep; } else { keep; } else { discard; }
