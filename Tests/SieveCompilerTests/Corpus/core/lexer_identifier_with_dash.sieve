fileinto-x;
