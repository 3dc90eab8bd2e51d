require ["imap4flags", "variables"];
set "f" "";
if hasflag "f" "\\Seen" { keep; }
