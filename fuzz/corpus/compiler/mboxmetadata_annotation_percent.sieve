require "mboxmetadata";
if metadataexists "INBOX" "/private/a%" { keep; }
