require "imap4flags";
addflag "$Label1";
