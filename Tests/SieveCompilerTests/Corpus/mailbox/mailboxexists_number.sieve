require "mailbox";
if mailboxexists 1 { keep; }
