if anyof (true) { keep; } else { discard "x"; }
