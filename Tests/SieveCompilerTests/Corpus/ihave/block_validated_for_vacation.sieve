require "ihave";
if ihave "vacation" { frobnicate; }
