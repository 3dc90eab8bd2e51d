if anyof (true, frob) { keep; }
