require ["fileinto", "imap4flags", "variables"];
if anyof (header :contains "x-spam-flag" "yes", header :contains "subject" "[SPAM]") {
  addflag "$Junk";
  fileinto "Junk";
  stop;
}
if address :domain :is "from" ["example.org", "example.net"] { fileinto "Friends"; }
if header :contains "list-id" "lists.example" { fileinto "Lists"; }
