require ["imap4flags", "variables", "fileinto"];
setflag "myflags" "x";
addflag "myflags" "y";
fileinto :flags "${myflags}" "F";
