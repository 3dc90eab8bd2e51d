require ["fileinto","reject","envelope","copy","variables","date","relational","imap4flags"];
# rule:[Spam]
if header :contains "x-spam-flag" "yes"
{
	fileinto "Junk";
	stop;
}
# rule:[Mailing lists]
if anyof (header :contains "list-id" "dev.example.org", address :is "from" "list@example.org")
{
	fileinto :copy "Lists.Dev";
}
# rule:[Flag boss]
if address :is "from" "boss@example.com"
{
	addflag "\\Flagged";
}
