require ["fileinto", "include", "variables"];
global "tag";
fileinto "sub-${tag}";
