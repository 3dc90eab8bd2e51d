if header :is "subject" "a \"quoted\" \\ back\slash \x" { keep; }
