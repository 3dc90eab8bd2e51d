if size :under 0 { keep; }
