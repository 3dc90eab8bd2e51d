require ["ihave", "variables"];
set "a";
