require "mboxmetadata";
if metadataexists "INBOX" "/private/*" { keep; }
