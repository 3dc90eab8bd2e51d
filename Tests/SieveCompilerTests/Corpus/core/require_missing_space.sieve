require"fileinto";fileinto"x";
