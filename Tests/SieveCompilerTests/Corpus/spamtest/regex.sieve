require ["spamtest", "regex"];
if spamtest :regex "^1" { keep; }
