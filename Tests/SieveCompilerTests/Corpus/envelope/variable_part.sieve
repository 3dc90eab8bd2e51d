require ["envelope", "variables"];
set "p" "to";
if envelope "${p}" "x" { keep; }
