# corpus-extensions: fileinto reject
require ["fileinto", "vacation"];
fileinto "x";
