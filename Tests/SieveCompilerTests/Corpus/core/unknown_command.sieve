fileint "INBOX";
