if exists ["from", "to"] { keep; }
