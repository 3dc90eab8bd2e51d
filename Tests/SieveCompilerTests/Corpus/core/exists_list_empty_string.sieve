if exists ["from", ""] { keep; }
