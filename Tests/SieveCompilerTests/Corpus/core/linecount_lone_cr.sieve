keep;keep "x";
