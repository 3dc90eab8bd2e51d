require "imap4flags";
setflag "\\Flagged";
if header :contains "subject" "spam" { addflag "junk"; }
