if true { keep "x"; }
