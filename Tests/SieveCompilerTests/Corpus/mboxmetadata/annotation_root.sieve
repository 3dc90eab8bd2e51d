require "mboxmetadata";
if metadataexists "INBOX" "/" { keep; }
