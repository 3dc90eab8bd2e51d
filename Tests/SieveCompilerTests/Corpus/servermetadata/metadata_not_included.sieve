require "servermetadata";
if metadataexists "INBOX" "/private/comment" { keep; }
