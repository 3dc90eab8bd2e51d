require "ihave";
if ihave "special-use" { frobnicate; }
