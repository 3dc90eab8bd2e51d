require ["special-use", "fileinto"];
fileinto :specialuse "" "x";
