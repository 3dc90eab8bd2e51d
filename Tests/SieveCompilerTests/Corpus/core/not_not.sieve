if not not true { keep; }
