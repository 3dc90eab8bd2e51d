if anyof (not true, false) { keep "x"; }
