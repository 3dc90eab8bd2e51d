require ["ihave", "variables"];
if ihave "variables" { set "a"; }
