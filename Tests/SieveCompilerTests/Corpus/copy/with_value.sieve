require ["copy", "fileinto"];
fileinto :copy "x" "y";
