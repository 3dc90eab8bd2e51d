require "imap4flags";
addflag ["\\Seen", "b"];
addflag "\\answered a";
removeflag "b";
if hasflag :contains "a" { keep; }
