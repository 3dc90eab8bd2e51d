require ["mime", "envelope"];
if envelope :mime "from" "x" { keep; }
