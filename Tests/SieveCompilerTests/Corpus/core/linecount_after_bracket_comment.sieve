/* one
two
three */
keep "x";
