require ["fileinto", "frobnicate"];
fileinto "x";
