require ["fileinto", "mailbox"];
fileinto :create "New/Folder";
if mailboxexists "INBOX" { fileinto "inbox-exists"; }
if mailboxexists "Nope" { fileinto "nope-exists"; }
