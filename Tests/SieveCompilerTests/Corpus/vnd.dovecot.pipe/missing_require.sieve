pipe "x";
