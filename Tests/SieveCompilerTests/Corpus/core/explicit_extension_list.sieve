# corpus-extensions: fileinto reject
require ["fileinto", "reject"];
fileinto "x";
reject "y";
