require "ihave";
if ihave "body" { frobnicate; }
