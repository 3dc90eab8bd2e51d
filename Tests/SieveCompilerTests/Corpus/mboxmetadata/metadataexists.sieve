require "mboxmetadata";
if metadataexists "INBOX" "/private/comment" { keep; }
