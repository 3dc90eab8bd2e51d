require "ihave";
if ihave "extracttext" { frobnicate; }
