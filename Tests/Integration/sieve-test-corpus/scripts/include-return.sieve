require ["include", "fileinto"];
include "returns";
fileinto "after-include";
