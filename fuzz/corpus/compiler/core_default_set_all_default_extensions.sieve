# corpus-extensions: default
require ["fileinto", "reject", "envelope", "encoded-character", "vacation", "subaddress",
         "comparator-i;ascii-numeric", "relational", "regex", "imap4flags", "copy", "include",
         "variables", "body", "enotify", "environment", "mailbox", "date", "index", "ihave",
         "duplicate", "mime", "foreverypart", "extracttext"];
keep;
