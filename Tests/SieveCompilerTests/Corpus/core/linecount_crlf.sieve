keep;
keep;
keep "x";
