require ["copy", "fileinto"];
fileinto "x" :copy;
