require ["regex", "envelope"];
if envelope :regex "from" "(" { keep; }
