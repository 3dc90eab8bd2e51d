if allof (true, exists "x") { keep; } else { keep "x"; }
