require "imap4flags";
if hasflag :contains "\\Seen" { keep; }
