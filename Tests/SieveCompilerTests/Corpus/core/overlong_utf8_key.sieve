if header :is "subject" "À¯" { keep; }
