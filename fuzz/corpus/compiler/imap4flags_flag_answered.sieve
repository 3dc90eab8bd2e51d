require "imap4flags";
addflag "\\Answered";
