require "imapflags";
setflag "\\Seen";
