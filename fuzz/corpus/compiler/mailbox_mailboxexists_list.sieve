require "mailbox";
if mailboxexists ["Junk", "Trash"] { keep; }
