stop;
keep "x";
