keep;
keep "x";
discard "y";
