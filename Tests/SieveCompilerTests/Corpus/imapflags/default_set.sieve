# corpus-extensions: default
require "imapflags";
setflag "\\Seen";
