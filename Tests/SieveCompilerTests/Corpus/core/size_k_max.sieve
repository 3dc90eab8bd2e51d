if size :over 18014398509481983K { keep; }
