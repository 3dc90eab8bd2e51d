require ["special-use", "fileinto"];
fileinto :specialuse "\\\\Junk" "x";
