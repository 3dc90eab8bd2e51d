require ["subaddress", "regex"];
if address :detail :regex "to" "^(a|b)$" { keep; }
