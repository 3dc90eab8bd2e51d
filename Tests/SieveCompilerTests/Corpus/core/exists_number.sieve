if exists 1 { keep; }
