if header :is "subject" "😀 emoji" { keep; }
