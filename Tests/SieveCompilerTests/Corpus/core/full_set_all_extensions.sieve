require ["fileinto", "reject", "envelope", "encoded-character", "vacation", "subaddress",
         "comparator-i;ascii-numeric", "relational", "regex", "imap4flags", "copy", "include",
         "variables", "body", "enotify", "environment", "mailbox", "date", "index", "ihave",
         "duplicate", "mime", "foreverypart", "extracttext", "vacation-seconds", "editheader",
         "mboxmetadata", "servermetadata", "special-use", "vnd.dovecot.debug",
         "vnd.dovecot.environment", "vnd.dovecot.report", "vnd.dovecot.pipe",
         "vnd.dovecot.filter", "vnd.dovecot.execute", "imapsieve", "vnd.dovecot.imapsieve",
         "spamtestplus", "virustest"];
keep;
