require "ihave";
if ihave "ihave" { frobnicate; }
