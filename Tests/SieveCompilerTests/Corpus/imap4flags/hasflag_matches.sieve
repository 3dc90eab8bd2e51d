require "imap4flags";
if hasflag :matches "\\*" { keep; }
