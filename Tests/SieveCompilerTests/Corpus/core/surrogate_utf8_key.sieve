if header :is "subject" "í €" { keep; }
