require ["relational", "variables"];
set "op" "gt";
if header :value "${op}" "x" "5" { keep; }
