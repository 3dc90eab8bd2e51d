require "ihave";
if ihave "include" { frobnicate; }
