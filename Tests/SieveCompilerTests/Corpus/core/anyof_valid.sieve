if anyof (true, false, exists "from") { keep; }
