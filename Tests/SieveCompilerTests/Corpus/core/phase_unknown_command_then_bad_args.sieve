frob;
keep "x";
