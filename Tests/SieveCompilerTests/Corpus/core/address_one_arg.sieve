if address "from" { keep; }
