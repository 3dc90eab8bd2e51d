require "environment";
if environment "imap.cause" "APPEND" { keep; }
