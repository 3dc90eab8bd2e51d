require "imap4flags";
setflag 1;
