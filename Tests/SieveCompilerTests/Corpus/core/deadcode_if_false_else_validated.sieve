if false { keep; } else { keep "x"; }
