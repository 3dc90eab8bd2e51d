require ["imap4flags", "comparator-i;ascii-numeric"];
if hasflag :comparator "i;ascii-numeric" "1" { keep; }
