if anyof (false, false) { keep "x"; }
