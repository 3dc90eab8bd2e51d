require "imap4flags";
addflag "\\Recent";
