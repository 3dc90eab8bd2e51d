if address :is "subject" "a" { keep; }
