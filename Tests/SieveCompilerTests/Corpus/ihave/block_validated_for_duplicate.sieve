require "ihave";
if ihave "duplicate" { frobnicate; }
