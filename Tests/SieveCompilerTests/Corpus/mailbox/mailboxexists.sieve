require "mailbox";
if mailboxexists "Junk" { keep; }
