{ keep; }
