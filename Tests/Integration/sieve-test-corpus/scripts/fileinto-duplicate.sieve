require ["fileinto", "imap4flags"];
fileinto :flags "\\Seen" "A";
fileinto "B";
fileinto :flags ["\\Flagged", "work"] "A";
