require "imapflags";
keep :flags "\\Seen";
