require ["imap4flags", "fileinto"];
if header :contains "from" "boss@example.com" {
    addflag "\\Flagged";
    fileinto :flags ["\\Flagged", "$Work"] "Work";
    removeflag "\\Flagged";
}
