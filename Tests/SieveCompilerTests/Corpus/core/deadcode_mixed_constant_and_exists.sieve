if anyof (false, exists "x") { keep "x"; }
