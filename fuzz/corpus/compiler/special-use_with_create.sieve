require ["special-use", "fileinto", "mailbox"];
fileinto :specialuse "\\Junk" :create "Spam";
