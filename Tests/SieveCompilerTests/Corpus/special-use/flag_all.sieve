require ["special-use", "fileinto"];
fileinto :specialuse "\\All" "x";
