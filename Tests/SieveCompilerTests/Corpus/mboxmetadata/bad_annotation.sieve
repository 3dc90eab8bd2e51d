require "mboxmetadata";
if metadataexists "INBOX" "comment" { keep; }
