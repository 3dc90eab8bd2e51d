if allof (not false, not false) { keep; } else { keep "x"; }
