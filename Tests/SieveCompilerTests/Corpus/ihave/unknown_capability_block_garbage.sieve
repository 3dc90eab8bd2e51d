require "ihave";
if ihave "frobnicate" { frob :x [1 2; }
