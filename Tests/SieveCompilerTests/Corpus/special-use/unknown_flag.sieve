require ["special-use", "fileinto"];
fileinto :specialuse "\\Frob" "Spam";
