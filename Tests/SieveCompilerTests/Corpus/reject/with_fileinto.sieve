require ["reject", "fileinto"];
reject "no";
fileinto "x";
