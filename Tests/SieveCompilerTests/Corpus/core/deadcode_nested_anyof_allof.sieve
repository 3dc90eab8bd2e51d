if anyof (allof (true, true), false) { keep; } else { keep "x"; }
