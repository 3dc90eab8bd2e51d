require ["special-use", "fileinto"];
fileinto :specialuse "\\junk" "x";
