require "ihave";
if ihave "x-unknown" { if ihave "y-unknown" { y; } x; }
