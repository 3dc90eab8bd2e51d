require ["fileinto", "fileinto"];
fileinto "x";
