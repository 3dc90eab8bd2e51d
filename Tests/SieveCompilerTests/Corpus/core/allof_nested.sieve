if allof (anyof (true, false), not false, allof (true)) { keep; }
