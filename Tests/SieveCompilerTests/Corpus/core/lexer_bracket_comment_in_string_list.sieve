if header :is [ /* c */ "a" /* c */ , /* c */ "b" ] "x" { keep; }
