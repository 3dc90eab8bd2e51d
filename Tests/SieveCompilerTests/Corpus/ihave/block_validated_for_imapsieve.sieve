require "ihave";
if ihave "imapsieve" { frobnicate; }
