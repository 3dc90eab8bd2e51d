if environment "domain" "x" { keep; }
