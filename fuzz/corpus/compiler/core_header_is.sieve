if header :is "subject" "hello" { keep; }
