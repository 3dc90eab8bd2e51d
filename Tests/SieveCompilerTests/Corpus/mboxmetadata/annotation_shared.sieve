require "mboxmetadata";
if metadataexists "INBOX" "/shared/comment" { keep; }
