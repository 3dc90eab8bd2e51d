require "ihave";
if ihave "date" { frobnicate; }
