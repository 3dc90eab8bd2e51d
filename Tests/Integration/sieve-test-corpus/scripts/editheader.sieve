require ["editheader", "fileinto"];
addheader "X-Seen-By" "sieve";
if header :is "x-seen-by" "sieve" { fileinto "edited"; }
deleteheader "subject";
if not exists "subject" { fileinto "no-subject-now"; }
