require ["mailbox", "fileinto"];
fileinto :create :create "x";
