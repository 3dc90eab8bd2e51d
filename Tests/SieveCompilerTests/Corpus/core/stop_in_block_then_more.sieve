if true { stop; keep; }
