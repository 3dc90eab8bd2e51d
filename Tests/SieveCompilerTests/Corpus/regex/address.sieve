require "regex";
if address :regex :localpart "from" "^(bob|alice)$" { keep; }
