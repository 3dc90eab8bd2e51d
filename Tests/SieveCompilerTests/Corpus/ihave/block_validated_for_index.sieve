require "ihave";
if ihave "index" { frobnicate; }
