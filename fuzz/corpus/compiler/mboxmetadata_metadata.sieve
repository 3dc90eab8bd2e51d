require "mboxmetadata";
if metadata :is "INBOX" "/private/vendor/x" "y" { keep; }
