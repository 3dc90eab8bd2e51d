fileinto "x";
keep
