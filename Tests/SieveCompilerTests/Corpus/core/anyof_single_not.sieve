if anyof (not exists "x") { keep; }
