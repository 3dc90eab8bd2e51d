if size :over 18014398509481984K { keep; }
