if header "subject" "hello" { keep; }
