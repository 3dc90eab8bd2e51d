require "imap4flags";
setflag "myflags" "\\Seen";
