if header :is "subject" "line one
line two" { keep; }
