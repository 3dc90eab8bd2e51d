if address :user "to" "a" { keep; }
