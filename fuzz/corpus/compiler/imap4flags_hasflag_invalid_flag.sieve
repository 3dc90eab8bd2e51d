require "imap4flags";
if hasflag "\\Frob" { keep; }
