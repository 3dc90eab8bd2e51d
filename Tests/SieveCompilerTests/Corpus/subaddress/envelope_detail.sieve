require ["subaddress", "envelope"];
if envelope :detail "to" "x" { keep; }
