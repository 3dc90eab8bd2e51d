if frob { keep "x"; }
