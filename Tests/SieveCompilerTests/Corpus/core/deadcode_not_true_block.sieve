if not true { keep "x"; }
