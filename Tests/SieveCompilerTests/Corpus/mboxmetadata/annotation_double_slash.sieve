require "mboxmetadata";
if metadataexists "INBOX" "/private//x" { keep; }
