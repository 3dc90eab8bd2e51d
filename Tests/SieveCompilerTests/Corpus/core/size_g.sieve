if size :over 1G { keep; }
