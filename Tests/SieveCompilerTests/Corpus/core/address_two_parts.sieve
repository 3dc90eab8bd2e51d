if address :localpart :domain "from" "a" { keep; }
