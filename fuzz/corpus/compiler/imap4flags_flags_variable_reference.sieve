require ["imap4flags", "variables", "fileinto"];
set "f" "\\Seen";
fileinto :flags "${f}" "x";
