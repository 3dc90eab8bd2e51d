require ["fileinto", "relational"];
if header :value "gt" "subject" "M" { fileinto "after-m"; } else { fileinto "before-m"; }
