require ["variables", "regex"];
if string :regex "${x}" "(" { keep; }
