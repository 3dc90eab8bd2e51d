if size :over 0K { keep; }
