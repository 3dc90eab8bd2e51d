if header :is "x" "1" { keep; }
elsif header :is "x" "2" { keep; }
elsif header :is "x" "3" { keep; }
elsif header :is "x" "4" { keep; }
elsif header :is "x" "5" { keep; }
else { discard; }
