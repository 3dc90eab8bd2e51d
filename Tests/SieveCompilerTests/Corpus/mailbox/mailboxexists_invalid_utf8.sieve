require "mailbox";
if mailboxexists "cafÿ" { keep; }
