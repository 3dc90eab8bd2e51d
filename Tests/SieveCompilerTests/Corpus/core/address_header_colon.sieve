if address :is "from:" "a" { keep; }
