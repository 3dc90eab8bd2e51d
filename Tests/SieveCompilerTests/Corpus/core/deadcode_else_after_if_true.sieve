if true { keep; } else { discard "x"; }
