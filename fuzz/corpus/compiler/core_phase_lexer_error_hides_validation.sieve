frobnicate;
keep;
if header :is "subject" "a" { keep; } @
