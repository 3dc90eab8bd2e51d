require ["imap4flags", "imapflags"];
keep;
