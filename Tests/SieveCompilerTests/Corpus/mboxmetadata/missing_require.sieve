if metadataexists "INBOX" "/private/comment" { keep; }
