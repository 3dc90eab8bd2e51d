if address :localpart :is "from" "a" { keep; }
