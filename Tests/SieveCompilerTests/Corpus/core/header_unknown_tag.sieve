if header :frob "subject" "a" { keep; }
