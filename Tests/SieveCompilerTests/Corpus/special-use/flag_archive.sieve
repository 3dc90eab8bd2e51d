require ["special-use", "fileinto"];
fileinto :specialuse "\\Archive" "x";
