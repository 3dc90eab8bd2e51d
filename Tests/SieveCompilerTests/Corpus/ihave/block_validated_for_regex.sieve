require "ihave";
if ihave "regex" { frobnicate; }
