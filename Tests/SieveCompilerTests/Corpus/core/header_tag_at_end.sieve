if header "subject" "a" :is { keep; }
