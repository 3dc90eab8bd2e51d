require ["fileinto"];
if header :contains "subject" "meeting" { fileinto "global-meeting"; }
