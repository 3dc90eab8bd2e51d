if header :is "subject" "a
b
c" { keep; }
keep "x";
