require "imap4flags";
addflag "\\Draft";
