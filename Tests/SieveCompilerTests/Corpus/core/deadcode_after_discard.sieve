discard;
keep "x";
