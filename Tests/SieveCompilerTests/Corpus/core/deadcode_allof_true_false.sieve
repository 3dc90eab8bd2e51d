if allof (true, false) { keep "x"; }
