if not not true { keep; } else { keep "x"; }
