require "ihave";
if ihave "variables" { set 1 2; }
