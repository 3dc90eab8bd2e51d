require ["include", "fileinto"];
fileinto "in-sub";
return;
fileinto "never";
