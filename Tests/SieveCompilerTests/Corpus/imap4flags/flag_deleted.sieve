require "imap4flags";
addflag "\\Deleted";
