if false { fileinto "x"; }
