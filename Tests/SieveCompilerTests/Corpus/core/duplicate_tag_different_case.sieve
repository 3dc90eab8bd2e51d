if header :is :IS "subject" "a" { keep; }
