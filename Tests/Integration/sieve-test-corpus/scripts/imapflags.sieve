require ["imapflags", "fileinto"];
setflag "\\Seen";
addflag ["$Work", "\\Answered"];
removeflag "\\Answered";
mark;
if header :contains "subject" "meeting" { fileinto "Meetings"; }
unmark;
keep;
