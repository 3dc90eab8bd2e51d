require ["regex", "variables"];
set "p" "(";
if header :regex "subject" "${p}" { keep; }
