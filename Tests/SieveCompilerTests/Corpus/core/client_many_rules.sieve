require ["fileinto", "envelope", "copy"];
if address :domain :is "from" "a.example" { fileinto "A"; }
elsif address :domain :is "from" "b.example" { fileinto "B"; }
elsif address :domain :is "from" "c.example" { fileinto "C"; }
elsif envelope :domain :is "to" "d.example" { fileinto :copy "D"; }
elsif header :contains ["subject", "comments"] ["e", "f", "g"] { fileinto "EFG"; }
elsif exists ["x-h", "x-i"] { fileinto "HI"; }
elsif size :over 5M { fileinto "Large"; }
elsif not size :under 100 { keep; }
else { fileinto "Rest"; }
