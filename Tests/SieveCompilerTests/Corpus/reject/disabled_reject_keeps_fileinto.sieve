# corpus-extensions: -reject
require ["reject", "fileinto"];
fileinto "x";
