require "imap4flags";
addflag ["\\Flagged", "$Important"];
removeflag "\\Seen";
