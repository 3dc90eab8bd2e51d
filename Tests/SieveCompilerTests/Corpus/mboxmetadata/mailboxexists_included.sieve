require "mboxmetadata";
if mailboxexists "INBOX" { keep; }
