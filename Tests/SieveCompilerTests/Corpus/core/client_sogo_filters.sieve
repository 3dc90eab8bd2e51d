require ["fileinto", "imap4flags", "reject"];
if anyof (header :contains "subject" "[SPAM]") {
    fileinto "Junk";
    stop;
}
if allof (header :contains "from" "newsletter", header :contains "subject" "weekly") {
    addflag "\\Seen";
    fileinto "Newsletters";
}
