if address :all :is "from" "a@example.com" { keep; }
