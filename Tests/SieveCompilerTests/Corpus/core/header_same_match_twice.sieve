if header :is :is "subject" "a" { keep; }
