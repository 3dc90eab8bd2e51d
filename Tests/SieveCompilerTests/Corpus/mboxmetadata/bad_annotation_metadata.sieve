require "mboxmetadata";
if metadata "INBOX" "/shared/a b" "y" { keep; }
