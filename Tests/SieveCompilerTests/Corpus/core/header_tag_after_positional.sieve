if header "subject" :is "a" { keep; }
