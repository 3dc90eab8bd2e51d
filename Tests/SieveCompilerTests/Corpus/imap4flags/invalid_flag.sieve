require "imap4flags";
addflag "\\Frobnicate";
