require "imap4flags";
addflag "a]b";
