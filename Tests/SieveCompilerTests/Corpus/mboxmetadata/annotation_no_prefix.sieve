require "mboxmetadata";
if metadataexists "INBOX" "/vendor/x" { keep; }
