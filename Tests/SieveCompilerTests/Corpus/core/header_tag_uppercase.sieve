if header :IS "subject" "a" { keep; }
