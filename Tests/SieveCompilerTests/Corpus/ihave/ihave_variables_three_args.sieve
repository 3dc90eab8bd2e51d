require "ihave";
if ihave "variables" { set "a" "b" "c"; }
