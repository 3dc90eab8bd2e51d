require "servermetadata";
if servermetadata "INBOX" "/shared/admin" "x" { keep; }
