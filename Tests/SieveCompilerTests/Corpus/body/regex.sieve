require ["body", "regex"];
if body :regex "a+b" { keep; }
