require ["special-use", "fileinto"];
fileinto :specialuse "\\Ju nk" "x";
