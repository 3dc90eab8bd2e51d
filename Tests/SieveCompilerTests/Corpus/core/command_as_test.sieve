if keep { keep; }
