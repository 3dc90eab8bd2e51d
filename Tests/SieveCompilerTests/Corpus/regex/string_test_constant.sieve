require ["regex", "variables"];
if string :regex "abc" "[" { keep; }
