require ["include", "variables"];
global "count";
if string :is "${count}" "0" { set "count" "1"; return; }
if string :is "${count}" "1" { set "count" "2"; return; }
set "count" "many";
