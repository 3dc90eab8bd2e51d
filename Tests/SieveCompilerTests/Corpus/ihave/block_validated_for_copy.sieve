require "ihave";
if ihave "copy" { frobnicate; }
