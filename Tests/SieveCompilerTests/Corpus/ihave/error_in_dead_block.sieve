require "ihave";
if ihave "frob" { error 1; }
