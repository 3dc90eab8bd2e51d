require ["ereject", "fileinto"];
if header :contains "subject" "meeting" { ereject "No meetings, please."; }
fileinto "after-ereject";
