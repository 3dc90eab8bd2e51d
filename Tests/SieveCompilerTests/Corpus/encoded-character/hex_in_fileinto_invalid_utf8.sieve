require ["encoded-character", "fileinto"];
fileinto "${hex:E9}";
