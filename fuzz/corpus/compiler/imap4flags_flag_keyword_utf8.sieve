require "imap4flags";
addflag "é";
