require ["imap4flags", "variables"];
setflag "myflags" "\\Seen";
addflag "myflags" "\\Answered";
removeflag "myflags" "\\Seen";
