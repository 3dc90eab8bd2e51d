# corpus-extensions: default
require "mboxmetadata";
if metadataexists "INBOX" "/private/comment" { keep; }
