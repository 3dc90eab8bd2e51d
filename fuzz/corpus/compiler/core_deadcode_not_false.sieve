if not false { keep; } else { discard "x"; }
