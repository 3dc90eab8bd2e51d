require "ihave";
if ihave "vacation-seconds" { frobnicate; }
