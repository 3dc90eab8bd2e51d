require ["fileinto"];
if address :domain :is "from" "example.org" { fileinto "org"; }
if address :localpart :is "to" "bob+work" { fileinto "lp"; }
if address :domain :contains ["to", "cc"] "net" { fileinto "net"; }
