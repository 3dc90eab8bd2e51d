if header :is "subject" "abc\\" { keep; }
