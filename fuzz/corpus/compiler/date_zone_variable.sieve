require ["date", "variables"];
set "z" "CET";
if currentdate :zone "${z}" "hour" "1" { keep; }
