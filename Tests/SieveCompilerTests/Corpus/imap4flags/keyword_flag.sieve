require "imap4flags";
addflag "NonJunk";
