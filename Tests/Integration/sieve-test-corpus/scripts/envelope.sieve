require ["fileinto", "envelope"];
if envelope :domain "from" "example.org" { fileinto "from-org"; }
if envelope :all :is "to" "bob+work@example.com" { fileinto "to-bob"; }
