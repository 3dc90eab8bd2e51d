require "mboxmetadata";
if metadata "INBOX" "/private/comment" { keep; }
