if allof (false, true) { keep "x"; }
