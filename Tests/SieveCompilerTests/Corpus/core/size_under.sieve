if size :under 1M { keep; }
