require ["fileinto", "encoded-character"];
fileinto "a${hex:00}b";
