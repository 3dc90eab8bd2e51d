if HEADER :Contains "Subject" "x" { keep; }
