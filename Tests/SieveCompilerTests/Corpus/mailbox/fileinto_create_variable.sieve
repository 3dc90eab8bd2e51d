require ["mailbox", "fileinto", "variables"];
set "f" "x";
fileinto :create "${f}";
