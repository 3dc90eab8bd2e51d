require ["special-use", "fileinto", "variables"];
set "u" "Junk";
fileinto :specialuse "${u}" "Spam";
