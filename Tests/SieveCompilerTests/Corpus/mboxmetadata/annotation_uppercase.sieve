require "mboxmetadata";
if metadataexists "INBOX" "/PRIVATE/comment" { keep; }
