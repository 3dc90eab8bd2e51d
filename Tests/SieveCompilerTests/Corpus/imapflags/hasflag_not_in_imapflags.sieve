require "imapflags";
if hasflag "\\Seen" { keep; }
