if address :all :all "from" "a" { keep; }
