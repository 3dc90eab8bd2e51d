if ["a"] { keep; }
