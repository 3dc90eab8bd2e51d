require ["fileinto", "reject"];
fileinto "Junk";
reject "no";
