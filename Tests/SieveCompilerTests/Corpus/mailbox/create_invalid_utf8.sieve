require ["mailbox", "fileinto"];
fileinto :create "café";
