if header :is :contains "subject" "a" { keep; }
