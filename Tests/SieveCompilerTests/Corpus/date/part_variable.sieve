require ["date", "variables"];
set "p" "year";
if currentdate "${p}" "2024" { keep; }
