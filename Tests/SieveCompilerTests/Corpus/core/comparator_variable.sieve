require "variables";
set "c" "i;octet";
if header :comparator "${c}" "subject" "a" { keep; }
