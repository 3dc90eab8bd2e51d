if false { keep "x"; }
