require ["fileinto", "mailbox"];
if mailboxexists "Existing" { fileinto "existing-exists"; }
if mailboxexists ["Existing", "Archive"] { fileinto "both-exist"; }
if mailboxexists ["Existing", "Missing"] { fileinto "one-missing"; }
if mailboxexists "inbox" { fileinto "inbox-any-case"; }
